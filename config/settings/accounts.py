"""Authentication: sign-in, passwords, invitations and the limits that protect them."""

from __future__ import annotations

from config.settings.env import env

# ------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
# Reset links: valid this long, once (the token covers the password hash and auth epoch).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
INVITATION_TTL_DAYS: int = env.int("INVITATION_TTL_DAYS", default=7)
# Reset and sign-up e-mails one address may be sent per hour (stops mail bombing).
ACCOUNT_EMAILS_PER_HOUR: int = env.int("ACCOUNT_EMAILS_PER_HOUR", default=5)
# Anonymous account forms (reset request, open sign-up) one client address may post per hour.
ACCOUNT_FORMS_PER_ADDRESS_PER_HOUR: int = env.int("ACCOUNT_FORMS_PER_ADDRESS_PER_HOUR", default=20)
# Change-password attempts per person per hour: the current password is asked for so a borrowed
# session cannot take the account over, and this keeps it from being guessed there.
PASSWORD_CHANGES_PER_HOUR: int = env.int("PASSWORD_CHANGES_PER_HOUR", default=20)
# Failed sign-ins, per tenant, counted per account and per client address: after *_SLOW_AFTER
# failures each further try must wait (doubling from 1 s), after *_LOCK_AFTER the key is locked
# for LOCK_MINUTES. Counters expire 2 x LOCK_MINUTES after the last failure; success clears the
# account's. An address (an office behind one NAT) gets more room than one account.
LOGIN_SLOW_AFTER: int = env.int("LOGIN_SLOW_AFTER", default=3)
LOGIN_LOCK_AFTER: int = env.int("LOGIN_LOCK_AFTER", default=10)
LOGIN_ADDRESS_SLOW_AFTER: int = env.int("LOGIN_ADDRESS_SLOW_AFTER", default=20)
LOGIN_ADDRESS_LOCK_AFTER: int = env.int("LOGIN_ADDRESS_LOCK_AFTER", default=100)
LOGIN_LOCK_MINUTES: int = env.int("LOGIN_LOCK_MINUTES", default=15)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
