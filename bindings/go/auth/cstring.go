package auth

// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"strings"
	"unsafe"
)

// cString copies s into C memory that the caller releases with freeCString.
// A NUL inside s would silently cut the text short on the C side, so it is
// refused here; name says which argument, never its value.
func cString(name, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, invalidArgument("%s contains a NUL byte", name)
	}
	return C.CString(s), nil
}

// freeCString wipes and releases a copy made by cString, so that a secret
// does not linger in freed C memory.
func freeCString(p *C.char) {
	if p == nil {
		return
	}
	C.memset(unsafe.Pointer(p), 0, C.strlen(p))
	C.free(unsafe.Pointer(p))
}

// goString converts an optional C string; NULL becomes "".
func goString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}
