"""Hide the password of every URL in a piece of text, parseable or not.

A URL that cannot be parsed (port 99999, an unencoded `#` in the password) is
still repeated verbatim by error messages, so masking works on the text
itself instead of on a parsed URL.
"""

import re
from typing import Final

# scheme://user:password@... The user name stops at the first ":" and holds no
# "/?#@"; the password runs to the last "@" of the address, since it may itself
# hold an unencoded "#", "/" or "@". An address ends at whitespace, a quote or
# an angle bracket. When in doubt this masks too much, never too little.
_CREDENTIALS: Final = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/?#@'\"<>]*):[^\s'\"<>]*@",
    re.IGNORECASE,
)
MASK: Final = "***"


def redact_credentials(text: str) -> str:
    """Return text with the password of every `scheme://user:password@` masked."""
    if "@" not in text:
        return text
    return _CREDENTIALS.sub(rf"\g<head>:{MASK}@", text)
