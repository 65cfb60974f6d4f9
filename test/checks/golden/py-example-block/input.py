def even_odd_palindrome(n):
    """Counts of even and odd palindromes in 1..n.
    Example 1:
        Input: 3
        Output: (1, 2)
    Example 2:
        Input: 12
        Output: (4, 6)
    """
    pal = [i for i in range(1, n + 1) if str(i) == str(i)[::-1]]
    return (sum(1 for i in pal if i % 2 == 0), sum(1 for i in pal if i % 2 == 1))
