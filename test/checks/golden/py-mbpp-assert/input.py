def remove_Occ(s, ch):
    """Write a python function to remove first and last occurrence of a given character from the string.
    assert remove_Occ("hello","l") == "heo"
    """
    first = s.find(ch)
    if first >= 0:
        s = s[:first] + s[first + 1:]
    last = s.rfind(ch)
    if last >= 0:
        s = s[:last] + s[last + 1:]
    return s
