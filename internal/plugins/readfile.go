package plugins

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Bounds on one manifest. The samples Microsoft and partners publish are
// at most tens of KiB with a few dozen skills; the bounds leave ample room
// and keep a hostile or mistaken file (a log renamed .yaml, a generated
// manifest of thousands of skills) from taking the load's time or memory.
const (
	// MaxManifestBytes is the largest manifest file read.
	MaxManifestBytes = 1 << 20
	// MaxSkills is the most skills one manifest may hold.
	MaxSkills = 200
)

// readManifest reads a manifest listed in a plugins folder (the folder
// path is in). It refuses what is not a regular file (a named pipe would
// block the load, a device would never end), a symbolic link leading
// outside the folder (a manifest folder is what the operator vouched for;
// a link out of it could make secmcp read any file it can), and files over
// MaxManifestBytes.
func readManifest(path string) ([]byte, error) {
	if err := checkInside(filepath.Dir(path), path); err != nil {
		return nil, err
	}
	return readRegular(path, MaxManifestBytes)
}

// readRegular reads a regular file of at most max bytes, without blocking
// on a named pipe or reading a device.
func readRegular(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s); a manifest must be a YAML or JSON file", describeMode(fi.Mode()))
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("the file is %d bytes; the limit is %d bytes (%d MiB)", fi.Size(), max, max>>20)
	}
	// O_NONBLOCK: if the file was swapped for a named pipe since Stat,
	// opening it does not wait for a writer; the fstat below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file; a manifest must be a YAML or JSON file")
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", unwrapPath(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("the file is over %d bytes; the limit is %d bytes (%d MiB)", max, max, max>>20)
	}
	return data, nil
}

// checkInside refuses a path whose symbolic links lead outside dir.
func checkInside(dir, path string) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return nil // not a link: Stat reports a missing file
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("cannot resolve the plugins folder: %w", unwrapPath(err))
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("a symbolic link that cannot be followed: %w", unwrapPath(err))
	}
	rel, err := filepath.Rel(root, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("a symbolic link to %s, outside the plugins folder %s; copy the manifest into the folder instead", target, root)
	}
	return nil
}

// unwrapPath drops the path os errors repeat (the report names the file).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}
