// Package all imports every reader plugin, so that they register.
package all

import (
	_ "datax/reader/hdfs"
	_ "datax/reader/mysql"
	_ "datax/reader/stream"
	_ "datax/reader/textfile"
)
