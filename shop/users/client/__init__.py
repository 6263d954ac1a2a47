"""The users app's public door. No other app calls the users app today (a user's id, name and staff flag
travel in the JWT), so the door holds only the error other apps would see; add the Protocol, DTOs and
client/local.py + client/http.py here when another app needs one."""
from shop.platform.remote import door


class UserNotFound(door.NotFound):
    code = "user-not-found"
    title = "User not found"
