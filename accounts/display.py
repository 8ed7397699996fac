def user_display(user) -> str:
    """allauth's name for a user: the pseudonym, never the email address."""
    return user.public_name
