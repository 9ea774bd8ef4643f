"""The two errors the metrology engine raises for bad user data.

Both are ``ValueError`` subclasses, so a caller that only wants to show the message to a
technician can catch ``ValueError``; the message always says in plain English what is wrong.
"""


class InputError(ValueError):
    """An input quantity, a correlation or a setting is not usable as given."""


class ModelError(ValueError):
    """The measurement model cannot be read, names an unknown quantity, or fails at the estimate."""
