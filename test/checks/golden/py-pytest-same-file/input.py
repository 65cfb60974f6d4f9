import re

def slugify(title):
    return re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')

def test_slugify_spaces():
    assert slugify("Hello World") == "hello-world"

def test_slugify_symbols():
    assert slugify("  C++ & Rust!  ") == "c-rust"

def test_needs_fixture(tmp_path):
    assert slugify("x") == "x"
