package assets

import _ "embed"

//go:embed icon.png
var icon []byte

// IconPNG returns the 512×512 application icon. The slice is shared: do not modify it.
func IconPNG() []byte { return icon }
