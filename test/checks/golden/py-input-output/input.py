def maximum(arr, k):
    """The k largest numbers of arr, sorted.
    Example 1:
        Input: arr = [-3, -4, 5], k = 3
        Output: [-4, -3, 5]
    Example 2:
        Input: arr = [4, -4, 4], k = 2
        Output: [4, 4]
    """
    return sorted(sorted(arr)[len(arr) - k:]) if k else []
