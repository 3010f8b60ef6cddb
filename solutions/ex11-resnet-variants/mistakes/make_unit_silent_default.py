# fails: make_unit_by_name

def make_unit(name: str, channels: int) -> nn.Module:
    """The unit called ``name`` in ``UNITS`` for ``channels`` channels; ``ValueError`` for an unknown name."""
    return UNITS.get(name, OriginalUnit)(channels)
