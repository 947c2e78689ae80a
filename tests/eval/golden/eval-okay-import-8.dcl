import (./lib + "/value.dcl")
