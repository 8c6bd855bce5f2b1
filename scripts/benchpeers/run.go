package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// measured is one timed run of a tool over the photos.
type measured struct {
	wall      time.Duration
	cpu       time.Duration // user + system, the process and its threads
	peakRSSMB float64
	// marks are the times since the start at which the tool printed a
	// line that marks a photo (deface: starting one; PhotoVet: done).
	marks []time.Duration
	// load is /proc/loadavg before and after the run.
	loadBefore, loadAfter string
	stdout                []byte
}

// timed runs name with args, and times it: wall clock, CPU time and peak
// memory from the kernel's accounting of the child (getrusage), and when
// each line of its output for which mark is true appeared.
func timed(ctx context.Context, env []string, mark func(line string) bool, name string, args ...string) (measured, error) {
	var m measured
	m.loadBefore = loadAverage()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return m, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, fmt.Errorf("start %s: %w", name, err)
	}
	var stdout bytes.Buffer
	sc := bufio.NewScanner(io.TeeReader(out, &stdout))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if mark(sc.Text()) {
			m.marks = append(m.marks, time.Since(start))
		}
	}
	scanErr := sc.Err()
	err = cmd.Wait()
	m.wall = time.Since(start)
	m.loadAfter = loadAverage()
	m.stdout = stdout.Bytes()
	if err != nil {
		return m, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	if scanErr != nil {
		return m, fmt.Errorf("read the output of %s: %w", name, scanErr)
	}
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peakRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return m, nil
}

// run runs a command that is not measured (set-up), returning its error
// with the end of its output.
func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, lastLines(string(out), 20))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// loadAverage is the first three fields of /proc/loadavg: the load
// averages over 1, 5 and 15 minutes ("" where there is none).
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
