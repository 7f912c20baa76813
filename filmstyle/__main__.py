import sys

from filmstyle.cli import main

sys.exit(main())
