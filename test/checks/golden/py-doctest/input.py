def truncate_number(number: float) -> float:
    """Return the decimal part of the number.
    >>> truncate_number(3.5)
    0.5
    >>> x = truncate_number(7.25)
    >>> x * 4
    1.0
    >>> print(truncate_number(1.75))
    0.75
    >>> truncate_number(2.0)  # a whole number
    0.0
    """
    return number % 1.0
