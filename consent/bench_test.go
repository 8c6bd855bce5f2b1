package consent

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// benchRegister returns a register of n school children with varied
// consents and withdrawals, and ten staff members.
func benchRegister(n int) *Register {
	channels := DefaultSettings().Channels
	reg := newRegister()
	for i := range n {
		p := &Person{
			ID: fmt.Sprintf("C-%04d", i), Name: fmt.Sprintf("Child %d", i), Role: Child, Group: fmt.Sprintf("%dA", 1+i%8),
			Unit: School, BirthDate: NewDate(2009+i%12, time.Month(1+i%12), 1+i%28),
		}
		for j, c := range channels {
			if (i+j)%3 != 0 {
				p.Consents = append(p.Consents,
					Consent{Giver: Guardian, Channel: c, ValidFrom: day("2026-08-17"), ValidUntil: day("2027-07-31")},
					Consent{Giver: Pupil, Channel: c, ValidFrom: day("2026-08-17"), ValidUntil: day("2027-07-31")})
			}
		}
		if i%17 == 0 {
			p.Withdrawals = []Withdrawal{{Channel: "instagram", On: day("2026-10-02")}}
		}
		reg.People[p.ID] = p
	}
	for i := range 10 {
		reg.People[fmt.Sprintf("T-%02d", i)] = &Person{ID: fmt.Sprintf("T-%02d", i), Name: "Staff", Role: Staff, Unit: School, Consents: consents(StaffMember, channels...)}
	}
	return reg
}

// photoFaces returns the 30 faces of a class photo: mostly sure matches,
// some unknown, ambiguous, staff and reviewed faces.
func photoFaces() []Face {
	faces := make([]Face, 30)
	for i := range faces {
		id := fmt.Sprintf("C-%04d", i*33)
		switch {
		case i%10 == 7:
			faces[i] = Face{NearestID: id, Distance: 0.62, NextDistance: 0.7} // unknown
		case i%10 == 8:
			faces[i] = Face{NearestID: id, Distance: 0.41, NextDistance: 0.44} // ambiguous
		case i == 29:
			faces[i] = Face{NearestID: "T-03", Distance: 0.35, NextDistance: math.Inf(1)}
		case i == 19:
			faces[i] = Face{Review: AssignedByHand, AssignedID: id}
		default:
			faces[i] = Face{NearestID: id, Distance: 0.38, NextDistance: 0.55}
		}
	}
	return faces
}

func BenchmarkDecidePhoto30Faces1000Children(b *testing.B) {
	reg := benchRegister(1000)
	faces := photoFaces()
	job := Job{School, "instagram", day("2026-11-21")}
	photo := Photo{Photographer: "Jan Smit", PhotographerChannels: []string{"instagram"}, ChildWork: []string{"C-0001"}}
	var visible int
	for b.Loop() {
		visible = 0
		if !CheckPhoto(photo, reg, job).Allowed {
			visible = -1
		}
		for _, f := range faces {
			if Decide(f, reg, job).Visible {
				visible++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/30, "ns/face")
	b.Logf("%d of 30 faces visible", visible)
}

// BenchmarkRegisterLoad1000Children measures reading the whole register
// of 1,000 children from SQLite, which vet does once per batch.
func BenchmarkRegisterLoad1000Children(b *testing.B) {
	s, _ := openTestStore(b)
	ctx := context.Background()
	if _, err := s.ImportRoster(ctx, bytes.NewReader(bigRoster(1000, "", 0, nil)), ImportOptions{Today: templateDay}); err != nil {
		b.Fatal(err)
	}
	var people int
	for b.Loop() {
		reg, err := s.Register(ctx)
		if err != nil {
			b.Fatal(err)
		}
		people = len(reg.People)
	}
	b.Logf("%d people loaded", people)
}

// benchRosterCSV writes the children of reg as a roster file.
func benchRosterCSV(reg *Register) []byte {
	var out bytes.Buffer
	out.WriteString("id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,valid_from,valid_until\n")
	for _, p := range reg.SortedPeople() {
		if p.Role != Child {
			continue
		}
		var guardian, pupil []string
		for _, c := range p.Consents {
			if c.Giver == Guardian {
				guardian = append(guardian, c.Channel)
			} else {
				pupil = append(pupil, c.Channel)
			}
		}
		fmt.Fprintf(&out, "%s,%s,child,%s,%s,%s,%s,%s,2026-08-17,2027-07-31\n", p.ID, p.Name, p.Group, p.Unit, p.BirthDate,
			strings.Join(guardian, "|"), strings.Join(pupil, "|"))
	}
	return out.Bytes()
}

// BenchmarkRegisterBackends measures, on each back end (PostgreSQL over
// loopback), loading the whole register of 1,000 children, which vet does
// once per batch, and deciding a 30-face photo from the register loaded
// so: the photo checked and every face decided.
func BenchmarkRegisterBackends(b *testing.B) {
	ctx := context.Background()
	model := benchRegister(1000)
	faces := photoFaces()
	job := Job{School, "instagram", day("2026-11-21")}
	photo := Photo{Photographer: "Jan Smit", PhotographerChannels: []string{"instagram"}}
	for _, bk := range testBackends {
		s := openAt(b, bk.newRegister(b))
		if _, err := s.ImportRoster(ctx, bytes.NewReader(benchRosterCSV(model)), ImportOptions{Today: templateDay}); err != nil {
			b.Fatal(err)
		}
		for _, p := range model.People {
			for _, w := range p.Withdrawals {
				if _, err := s.Withdraw(ctx, p.ID, w.Channel, w.On); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run(bk.name+"/load-1000-children", func(b *testing.B) {
			var people int
			for b.Loop() {
				reg, err := s.Register(ctx)
				if err != nil {
					b.Fatal(err)
				}
				people = len(reg.People)
			}
			b.Logf("%d people loaded", people)
		})
		b.Run(bk.name+"/decide-30-faces", func(b *testing.B) {
			reg, err := s.Register(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var visible int
			for b.Loop() {
				visible = 0
				if !CheckPhoto(photo, reg, job).Allowed {
					visible = -1
				}
				for _, f := range faces {
					if Decide(f, reg, job).Visible {
						visible++
					}
				}
			}
			b.Logf("%d of 30 faces visible", visible)
		})
	}
}
