"""Where pictures come from: the bytes of one source, and all of a request's pictures."""
