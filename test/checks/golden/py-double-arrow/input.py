def digit_sum(s):
    """Sum of the ASCII codes of the upper-case characters.
    Examples:
        digit_sum("") => 0
        digit_sum("abAB") => 131
        digit_sum("helloE") ==> 69
    """
    return sum(ord(c) for c in s if c.isupper())
