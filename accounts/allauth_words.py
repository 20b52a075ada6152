"""allauth's own strings as our pages show them, in our words.

allauth's Dutch says "Aanmelden" where we say "Inloggen", and sometimes "u" or
"alstublieft" where we say "je"; its English says "Sign In" where we say "Log in". Our
catalogues (LOCALE_PATHS) come before allauth's, so a msgid listed here and translated in
`locale/nl` and `locale/en` replaces allauth's wording wherever its templates use it.
`make messages` keeps these msgids because this module marks them.
"""

from django.utils.translation import gettext_noop

ALLAUTH_MSGIDS = (
    gettext_noop("Sign In"),
    gettext_noop("Sign Out"),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop("Sign-In Code"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Other sign-in options"),
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    gettext_noop("Your sign-in code is listed below. Please enter it in your open browser window."),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to "
        "finalize the signup process. If you do not see the verification email in your main "
        "inbox, check your spam folder. Please contact us if you do not receive the "
        "verification email within a few minutes."
    ),
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an "
        "authenticator code:"
    ),
)
