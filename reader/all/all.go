// Package all imports every reader plugin, so that they register.
package all

import (
	_ "datax/reader/stream"
)
