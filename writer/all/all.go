// Package all imports every writer plugin, so that they register.
package all

import (
	_ "datax/writer/hdfs"
	_ "datax/writer/mysql"
	_ "datax/writer/stream"
	_ "datax/writer/textfile"
)
