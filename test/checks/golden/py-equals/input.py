def search(lst):
    """The greatest integer whose frequency is at least its value, or -1.
    Examples:
        search([4, 1, 2, 2, 3, 1]) == 2
        search([5, 5, 4, 4, 4]) == -1
    Triangle areas are rounded: area(3, 4, 5) == 6.00 is about another function.
    """
    best = -1
    for v in set(lst):
        if lst.count(v) >= v > best:
            best = v
    return best
