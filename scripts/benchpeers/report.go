package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// describePhotos prints what the composed photos hold.
func describePhotos(photos []composed) {
	faces, sources := 0, map[string]bool{}
	perSet := map[string]int{}
	minH, maxH := 1<<30, 0
	for _, p := range photos {
		faces += len(p.Faces)
		for _, f := range p.Faces {
			perSet[f.Set]++
			sources[f.Set+"/"+f.Source] = true
			minH, maxH = min(minH, f.rect().Dy()), max(maxH, f.rect().Dy())
		}
	}
	var sets []string
	for _, s := range slices.Sorted(maps.Keys(perSet)) {
		sets = append(sets, fmt.Sprintf("%s %d", s, perSet[s]))
	}
	fmt.Printf("%d photos, %d faces in the ground truth (%s) from %d source photos; faces %d to %d px high\n",
		len(photos), faces, strings.Join(sets, ", "), len(sources), minH, maxH)
}

// printResults prints the side-by-side table and the recall per set and
// per face size.
func printResults(photos []composed, results []result) {
	n := len(photos)
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(w, "tool\twall s/photo\tCPU s/photo\tstart-up s\ts/photo after start-up\tpeak MB\tfaces found / ground truth\trecall\tunmatched detections\tload (1, 5, 15 min) before -> after")
	for _, r := range results {
		s := r.score
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%.1f\t%.2f\t%.0f\t%d / %d\t%.3f\t%d (of %d)\t%s -> %s\n",
			r.tool, seconds(r.run.wall)/float64(n), seconds(r.run.cpu)/float64(n), seconds(r.startup), seconds(r.perPhoto),
			r.run.peakRSSMB, s.all.found, s.all.faces, ratio(s.all), s.unmatched, s.detections, r.run.loadBefore, r.run.loadAfter)
	}
	w.Flush()

	fmt.Println()
	w = tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', tabwriter.Debug)
	sets := slices.Sorted(maps.Keys(results[0].score.bySet))
	header := []string{"recall by"}
	for _, s := range sets {
		header = append(header, "set "+s)
	}
	header = append(header, "AFW profiles (yaw 60+)")
	for _, b := range sizeBands {
		header = append(header, b.name)
	}
	fmt.Fprintln(w, strings.Join(header, "\t"))
	for _, r := range results {
		row := []string{r.tool}
		for _, s := range sets {
			row = append(row, cell(r.score.bySet[s]))
		}
		row = append(row, cell(&r.score.profiles))
		for _, b := range sizeBands {
			row = append(row, cell(r.score.bySize[b.name]))
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	w.Flush()
	fmt.Println()
	fmt.Println("Faces found: ground-truth faces with a detection at IoU >= 0.3. Unmatched: detections overlapping no")
	fmt.Println("ground-truth face (IoU < 0.1); the sets do not box every face, so not all are false.")
	fmt.Println("s/photo after start-up: PhotoVet from the gaps between its output lines, deface from its first \"Input:\" line.")
	fmt.Printf("Photos: %s ... (%d)\n", filepath.Base(photos[0].File), n)
}

func cell(t *tally) string {
	if t == nil || t.faces == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f (%d/%d)", ratio(*t), t.found, t.faces)
}

func ratio(t tally) float64 {
	if t.faces == 0 {
		return 0
	}
	return float64(t.found) / float64(t.faces)
}

func seconds(d time.Duration) float64 { return d.Seconds() }
