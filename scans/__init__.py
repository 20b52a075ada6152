"""Learning-culture scan (leercultuurscan): campaigns, reports and their anonymity rule."""
