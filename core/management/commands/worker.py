"""`lerend worker`: the background task worker (django-tasks-db's db_worker, same options)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the background task worker (same options as db_worker)."
