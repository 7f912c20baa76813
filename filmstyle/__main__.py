import sys

from filmstyle._cli import main

sys.exit(main())
