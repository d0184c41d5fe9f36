"""Sign-in lockout (django-axes) and the Content-Security-Policy (django-csp). README: "Rate limits and
content security"."""

from datetime import timedelta

from csp.constants import NONE, SELF

from feedsite.settings.django import ALLOWED_HOSTS, CONFIG, PRODUCTION

# Wrong passwords for one username from one address: after AXES_FAILURE_LIMIT of them, that pair is
# refused (even the right password) for AXES_COOLOFF_TIME, restarted by each attempt meanwhile.
# A sign-in that succeeds clears the count. Applies to /signin and the admin's login alike.
AXES_FAILURE_LIMIT = CONFIG.signin_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.signin_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# No version banner in the log of every process and command.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "feedsite.limits.lockout_response"
# The same client address as every other limit (NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "feedsite.limits.client_address"
# Failures are what lockout needs; a row per successful sign-in is not.
AXES_DISABLE_ACCESS_LOG = True

# Media from the site itself, or from the bucket / CDN when media is stored there (CSP_MEDIA_ORIGINS
# adds others). The websocket: same host, ws(s) (older browsers do not count it as 'self').
_media = [SELF, *CONFIG.media_origins]
# In development any port (make run's 8000, a test server's).
_sockets = [
    f"{scheme}://{'*' + host if host.startswith('.') else host}{'' if PRODUCTION else ':*'}"
    for host in ALLOWED_HOSTS
    if host != "*"
    for scheme in (("wss",) if PRODUCTION else ("ws", "wss"))
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _media,
        "media-src": _media,
        "font-src": [SELF],
        "connect-src": [SELF, *_sockets],
        "manifest-src": [SELF],
        "worker-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
