// Package vet is PhotoVet's pipeline: it takes photos from files and folders
// through detection, identification, the consent rules and review to a
// cleared export folder. The desktop app and the CLI both drive it; it holds
// no UI.
package vet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// photoExtensions are the file name extensions the pipeline loads, lower case.
var photoExtensions = []string{".jpg", ".jpeg", ".jpe", ".png", ".heic", ".heif"}

// IsPhotoName reports whether name has the extension of a photo PhotoVet loads.
func IsPhotoName(name string) bool {
	return slices.Contains(photoExtensions, strings.ToLower(filepath.Ext(name)))
}

// Collection is the result of gathering photos from files and folders.
type Collection struct {
	Photos  []string // photo files, in walk order without duplicates
	Skipped []string // files that are not photos
	// Unreadable holds why a path could not be read: a path given that does
	// not exist, a folder that cannot be listed. Each error names its path.
	Unreadable []error
}

// Collect gathers the photo files named by paths: a file is taken when its
// name is a photo's, a folder is walked recursively. Hidden files and folders
// (names starting with ".") are skipped silently: they are thumbnails and
// system files, never a teacher's photos.
func Collect(paths []string) Collection {
	var c Collection
	seen := make(map[string]bool)
	add := func(path string) {
		if !seen[path] {
			seen[path] = true
			c.Photos = append(c.Photos, path)
		}
	}
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if pe, ok := errors.AsType[*fs.PathError](err); ok {
					err = pe.Err // lstat, open: the path and the reason suffice
				}
				c.Unreadable = append(c.Unreadable, fmt.Errorf("cannot read %s: %w", path, err))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			switch {
			case d.IsDir():
			case d.Type()&os.ModeSymlink == 0 && !d.Type().IsRegular():
				c.Skipped = append(c.Skipped, path)
			case IsPhotoName(path):
				add(path)
			default:
				c.Skipped = append(c.Skipped, path)
			}
			return nil
		})
		if err != nil {
			c.Unreadable = append(c.Unreadable, fmt.Errorf("%s: %w", root, err))
		}
	}
	return c
}
