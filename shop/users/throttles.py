"""The users app's throttles, one class per scope (rates: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), and the
one policy of every door that checks a password (LOGIN_THROTTLES)."""
from shop.platform.api.throttling import AddressThrottle, LoginNameThrottle


class LoginAddressThrottle(AddressThrottle):
    scope = "login"


class LoginUsernameThrottle(LoginNameThrottle):
    scope = "login-username"


class RegisterThrottle(AddressThrottle):
    scope = "register"


class RefreshThrottle(AddressThrottle):
    scope = "refresh"


# Every door that checks a password (POST /login, the browsable API's login page, the admin's login):
# one count per client address and one per account, shared by all of them.
LOGIN_THROTTLES = (LoginAddressThrottle, LoginUsernameThrottle)
