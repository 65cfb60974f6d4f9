def pairs(n):
    """All pairs (i, j) with i < j < n.
    >>> pairs(3)
    [(0, 1), (0, 2),
     (1, 2)]
    >>> pairs(0)
    []
    """
    return [(i, j) for i in range(n) for j in range(i + 1, n)]
