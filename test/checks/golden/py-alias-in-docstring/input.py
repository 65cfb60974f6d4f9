def sorted_list_sum(lst):
    """Drop odd-length strings, sort by length then alphabetically.
    For example:
    assert list_sort(["aa", "a", "aaa"]) => ["aa"]
    assert list_sort(["ab", "a", "aaa", "cd"]) => ["ab", "cd"]
    """
    return sorted(sorted(s for s in lst if len(s) % 2 == 0), key=len)
