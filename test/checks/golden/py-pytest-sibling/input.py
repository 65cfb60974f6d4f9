def parse_version(s):
    parts = s.split('.')
    if not all(p.isdigit() for p in parts):
        raise ValueError(s)
    return tuple(int(p) for p in parts)
