"""Django core: apps, middleware, templates, database, static and media files, security."""

from feedsite import env

CONFIG = env.load()
BASE_DIR = env.BASE_DIR

SECRET_KEY = CONFIG.secret_key
# DJANGO_ENV=production: secure cookies, HSTS, TLS redirect; no demo superuser (profiles.demo).
PRODUCTION = CONFIG.production
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Full-text search and trigram similarity (content.search; inert on SQLite).
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "drf_spectacular",
    # Swagger UI's files, served from our own static files: no CDN.
    "drf_spectacular_sidecar",
    "channels",
    "content",
    "profiles",
    "profiles.events",
    "profiles.shop",
    "profiles.messages",
    "profiles.privacy",
    "profiles.importer",
    "profiles.demo",
    "ranking",
    "moderation",
    "experiments.segments",
    "experiments.kpis",
    "experiments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a body: each view's body size limit (feedsite.bodies).
    "feedsite.bodies.BodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "profiles.middleware.VisitorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in (feedsite.settings.security) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "feedsite.urls"
ASGI_APPLICATION = "feedsite.asgi.application"
WSGI_APPLICATION = "feedsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Lazy: only shopper pages read it (header state, page script data).
                "profiles.shop.context_processors.shopper_page",
                # Lazy too: the header's unread count.
                "profiles.messages.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: a locked-out username and address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Shoppers sign in on our own page; the admin keeps its own login at /admin/login/.
# Database sessions that refuse a key no session can have (a NUL from the cookie).
SESSION_ENGINE = "feedsite.sessions"
# A refused CSRF check answers the API's error shape under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "feedsite.errors.csrf_failure"
LOGIN_URL = "/signin"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = CONFIG.media_root
STORAGES = {
    "default": CONFIG.storage,
    # Ranker artifacts, event archives: never under a public URL (feedsite.storage).
    "private": CONFIG.private_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads larger than this are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

if CONFIG.production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = CONFIG.ssl_redirect
    # A load balancer's health check may speak plain HTTP to the process.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
