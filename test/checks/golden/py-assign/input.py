def can_arrange(arr):
    """Largest index of an element not >= the one before it, or -1.
    can_arrange(arr) = i where arr[i] < arr[i - 1]
    Examples:
    can_arrange([1,2,4,3,5]) = 3
    can_arrange([1,2,3]) = -1
    """
    ind = -1
    for i in range(1, len(arr)):
        if arr[i] < arr[i - 1]:
            ind = i
    return ind
