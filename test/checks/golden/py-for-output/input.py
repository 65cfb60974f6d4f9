def sum_squares(lst):
    """Sum of the squares of the ceilings.
    Examples:
    For lst = [1,2,3] the output should be 14
    For lst = [1.4,4.2,0] the output should be 29
    """
    import math
    return sum(math.ceil(x) ** 2 for x in lst)
