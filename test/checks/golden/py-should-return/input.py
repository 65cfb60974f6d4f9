def multiply(a, b):
    """Product of the unit digits.
    Examples:
    multiply(148, 412) should return 16.
    multiply(14,-15) should return 20.
    """
    return abs(a % 10) * abs(b % 10)
