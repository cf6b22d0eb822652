"""OCS settings. Everything that differs per deployment comes from the environment."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ocs.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("OCS_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when OCS_DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-OCS_DEBUG"  # noqa: S105  # nosec B105 - debug only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where users reach OCS; used for links in e-mail (invitations, reset links, portal).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "throttle",
    "accounts",
    "schools",
    "audit",
    "portal",
    "parents",
    "specialgroups",
    "mailings",
    "conferences",
    "privacy",
    "families",
]
if DEBUG:  # the demo school, its mail sink and the mail viewer: development only
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ocs.middleware.OneCommitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ocs.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LazyOTPMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ocs.middleware.HtmxFullPageMiddleware",
    "ocs.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ocs.urls"
WSGI_APPLICATION = "ocs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocs.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), BASE_DIR)}
# SQLite (the default, what a school tries first) under concurrent writers: WAL lets readers
# run beside the one writer; every transaction takes the write lock at BEGIN (IMMEDIATE), so
# it waits its turn (busy timeout, seconds) instead of failing with "database is locked" when
# it upgrades from reading to writing. See "When to move to PostgreSQL" in README.md.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, plus the switch to WAL (ocs/sqlite/base.py says why it is not an
    # init_command).
    DATABASES["default"]["ENGINE"] = "ocs.sqlite"
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitation and reset links: hours, not days.
PASSWORD_RESET_TIMEOUT = env_int("OCS_LINK_HOURS", 12) * 3600
LOGIN_URL = "accounts:staff_login"

# Sessions: an idle time-out and an absolute time-out, both kept by
# accounts.middleware.SessionPolicyMiddleware. The session is written only when it changes;
# an active user's session is renewed at most once a minute (not on every request).
SESSION_COOKIE_AGE = env_int("OCS_SESSION_IDLE_MINUTES", 60) * 60
OCS_SESSION_ABSOLUTE_SECONDS = env_int("OCS_SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE = env_bool("OCS_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("OCS_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Failed logins: limited per account *and* address together, so one parent behind a school's
# NAT address cannot lock out everyone else; the cool-off ends by itself.
AXES_FAILURE_LIMIT = env_int("OCS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OCS_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_VERBOSE = False
# Reverse proxies in front of OCS; lib.net.client_ip reads the client address behind them
# for login throttling, rate limits and the audit log alike.
OCS_PROXY_COUNT = env_int("OCS_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "lib.net.client_ip"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "private"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files (attachments, imports) live outside the web root and are served only by
# views that check access: there is deliberately no MEDIA_URL.
PRIVATE_ROOT = Path(env_str("OCS_PRIVATE_ROOT", str(BASE_DIR / "var" / "private")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

MAILERS = {
    "default": {
        "BACKEND": env_str("OCS_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("SMTP_HOST", "127.0.0.1"),
            "port": env_int("SMTP_PORT", 1025),
            "username": env_str("SMTP_USER"),
            "password": env_str("SMTP_PASSWORD"),
            "use_tls": env_bool("SMTP_STARTTLS", False),
            "timeout": env_int("SMTP_TIMEOUT", 10),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@ocs.example.nl")
# Signed mail and bounces (README "Mail: SPF, DKIM, DMARC and bounces"). DKIM is off without
# a key file and selector; without OCS_DKIM_DOMAIN each message is signed for its From
# domain. Bounces: with OCS_BOUNCE_DOMAIN every message goes out with its own return path
# bounces+<id>-<signature>@<domain>, which `manage.py bounce_intake` takes in.
OCS_DKIM_KEY_FILE = env_str("OCS_DKIM_KEY_FILE")
OCS_DKIM_SELECTOR = env_str("OCS_DKIM_SELECTOR")
OCS_DKIM_DOMAIN = env_str("OCS_DKIM_DOMAIN")
OCS_BOUNCE_DOMAIN = env_str("OCS_BOUNCE_DOMAIN")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": env_str("OCS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail"],
    }
}
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        name: {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}
        for name in TASKS["default"]["QUEUES"]
    }
    # `manage.py rqworker` must run jobs with django-tasks-rq's Job class, which calls the
    # task's function; RQ's plain Job would try to call the Task object itself.
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}

# Retention (AVG): how long OCS keeps data after it is no longer needed.
OCS_RETENTION_LEFT_DAYS = env_int("OCS_RETENTION_LEFT_DAYS", 365)
OCS_RETENTION_MAIL_DAYS = env_int("OCS_RETENTION_MAIL_DAYS", 365)
OCS_RETENTION_AUDIT_DAYS = env_int("OCS_RETENTION_AUDIT_DAYS", 730)

# Demo: where the local SMTP sink stores what it receives; read by the debug mail page.
OCS_MAILSINK_DIR = Path(env_str("OCS_MAILSINK_DIR", str(BASE_DIR / "var" / "mailsink")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OCS_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
    },
}
