def anti_shuffle(s):
    """Sort the characters of each word.
    For example:
    anti_shuffle('Hi') returns 'Hi'
    anti_shuffle('hello') returns 'ehllo'
    decimal-like comments work too: anti_shuffle('ba')   # returns "ab"
    For example anti_shuffle("cba") should
    return "abc" and anti_shuffle("") should return "".
    """
    return ' '.join(''.join(sorted(w)) for w in s.split(' '))
