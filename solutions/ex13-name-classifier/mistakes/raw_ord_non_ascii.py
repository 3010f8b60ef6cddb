# fails: encode_name

def encode_name(name):
    """The ASCII codes of ``name``; a character outside ASCII becomes ``ord("?")`` (63)."""
    return [ord(c) for c in name]
