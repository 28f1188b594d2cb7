"""The service's messages: English text that remembers its catalogue id and parameters, so that
the web app can show it in the reader's language (`app.i18n.translate`). Pure, and free of
Babel: the schema.org modules (`app/claimreview`) build their findings and reasons with it."""

from typing import Any


def N_(message: str) -> str:
    """Marks a string for extraction (`pybabel extract -k N_`); it is translated where shown."""
    return message


class Message(str):
    """A message of the service: its English text, which the API sends as it is, remembering
    the catalogue id and named parameters it was made from, so that the web app can show it
    in the reader's language (`app.i18n.translate`). A parameter may itself be a Message.

    `Message("No review {id}.", id=7)` is the string "No review 7."; `make messages` extracts
    the id (`pybabel extract -k Message`)."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> "Message":
        message = super().__new__(cls, msgid.format(**params))
        message.msgid = msgid
        message.params = params
        return message

    def __reduce__(self) -> Any:  # copies and pickles keep what it was made from
        return (_message, (self.msgid, self.params))


def _message(msgid: str, params: dict[str, Any]) -> Message:
    return Message(msgid, **params)


# How a model validator names the field its message is about (pydantic reports the model).
FIELD_MESSAGE = "{field}: {reason}"


def at_field(field: str, reason: str) -> Message:
    """ "field: reason", for a validator's ValueError: the API and the web app show the reason
    at that field (app.errors.validator_error)."""
    return Message("{field}: {reason}", field=field, reason=reason)


def joined(reasons: list[str]) -> str:
    """Several reasons as one ("a; b; c"), each still translatable."""
    if not reasons:
        return ""
    message = reasons[-1]
    for reason in reversed(reasons[:-1]):
        message = Message("{reason}; {more}", reason=reason, more=message)
    return message
