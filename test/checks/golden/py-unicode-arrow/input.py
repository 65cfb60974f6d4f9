def will_it_fly(q, w):
    """True if q is a palindrome whose sum is at most w.
    Example:
    will_it_fly([1, 2], 5) ➞ False
    will_it_fly([3, 2, 3], 9) ➞ True
    """
    return q == q[::-1] and sum(q) <= w
