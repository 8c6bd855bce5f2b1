package consent

// RepeatedMatches applies "one person appears at most once in a photo" (R4):
// given each face's nearest enrolled person ("" for none) and distance to
// them, it reports the faces whose person is nearer to another face of the
// same photo. Those faces are someone else who merely looks alike (a
// sibling, a classmate not enrolled) and must be decided as ambiguous: the
// caller sets their distance to the next person equal to their own, which no
// margin passes.
func RepeatedMatches(nearestIDs []string, distances []float64) []bool {
	best := make(map[string]int) // person -> index of their nearest face
	for i, id := range nearestIDs {
		if id == "" {
			continue
		}
		if j, ok := best[id]; !ok || distances[i] < distances[j] {
			best[id] = i
		}
	}
	repeated := make([]bool, len(nearestIDs))
	for i, id := range nearestIDs {
		repeated[i] = id != "" && best[id] != i
	}
	return repeated
}
