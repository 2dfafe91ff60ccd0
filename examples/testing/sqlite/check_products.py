"""An external test program: reads the case's database named by MERCATOR_TEST_URL and checks
what the SQL commands before it left there. Exits non-zero (with the reason on stderr) when
the check fails."""

import os
import sqlite3
import sys

url = os.environ["MERCATOR_TEST_URL"]
path = url.removeprefix("sqlite://").split("?", 1)[0]
with sqlite3.connect(path) as db:
    (count,) = db.execute("SELECT count(*) FROM products WHERE price > 0").fetchone()
    names = [n for (n,) in db.execute("SELECT name FROM cheap_products ORDER BY name")]
if count != 2 or names != ["pen"]:
    print(f"unexpected products: count={count} cheap={names}", file=sys.stderr)
    sys.exit(1)
print(f"{count} products")
