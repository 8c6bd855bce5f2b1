package app

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
)

// The person actions of the register: the selected person's details, the
// withdrawal of a consent, the face recognition opt-in and the removal
// from the register. Each action (withdraw, setOptIn, remove) changes the
// register and returns an error; the handlers of the buttons and dialogs
// (ask..., toggleOptIn) show what happened.

// askWithdraw asks which consent of the selected person to withdraw, and
// from when.
func (v *registerView) askWithdraw() {
	p := v.selectedPerson()
	if p == nil {
		return
	}
	channels := []string{consent.AllChannels}
	options := []string{lang.L("All channels")}
	for _, ch := range v.reg.Settings.Channels {
		channels = append(channels, ch)
		options = append(options, channelName(ch))
	}
	channel := widget.NewSelect(options, nil)
	channel.SetSelectedIndex(0)
	date := widget.NewEntry()
	date.SetText(v.today().String())
	date.Validator = func(s string) error {
		if _, err := consent.ParseDate(strings.TrimSpace(s)); err != nil {
			return errors.New(lang.L("Write the date as YYYY-MM-DD, for example 2026-11-21."))
		}
		return nil
	}
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Person"), widget.NewLabel(p.DisplayName())),
		{Text: lang.L("Channel"), Widget: channel, HintText: lang.L("Choose \"All channels\" when the consent is withdrawn completely.")},
		{Text: lang.L("From"), Widget: date, HintText: lang.L("The first day the consent no longer holds.")},
	}
	d := dialog.NewForm(lang.L("Withdraw consent"), lang.L("Withdraw"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		on, err := consent.ParseDate(strings.TrimSpace(date.Text))
		i := channel.SelectedIndex()
		if err != nil || i < 0 {
			return // the form validates both
		}
		v.withdrawAndShow(p.ID, channels[i], on)
	}, v.win)
	d.Resize(fyne.NewSize(520, 320))
	d.Show()
}

// withdrawAndShow withdraws and shows the take-down tasks it made, or why
// it failed.
func (v *registerView) withdrawAndShow(id, channel string, on consent.Date) {
	tasks, err := v.withdraw(id, channel, on)
	if err != nil {
		v.showError(lang.L("The consent could not be withdrawn."), err)
		return
	}
	v.showWithdrawn(id, channel, on, tasks)
	v.refresh() // last: its answer changes the view
}

// withdraw records the withdrawal of person id's consent for channel (or
// consent.AllChannels) from day on, and returns the take-down tasks it
// made; the caller shows the register again.
func (v *registerView) withdraw(id, channel string, on consent.Date) ([]consent.Takedown, error) {
	tasks, err := v.store.Withdraw(v.ctx, id, channel, on)
	if err != nil {
		return nil, fmt.Errorf("withdraw consent of %s for %s: %w", id, channel, err)
	}
	return tasks, nil
}

// showWithdrawn tells what a withdrawal means from now on, and which
// published photos must be taken down.
func (v *registerView) showWithdrawn(id, channel string, on consent.Date, tasks []consent.Takedown) {
	name := id
	if p := v.reg.People[id]; p != nil {
		name = p.DisplayName()
	}
	// Every channel has a sentence of its own: "on all channels" is no
	// channel name in Finnish ("kanavassa kaikki kanavat").
	hidden := lang.L("From {{.Date}} on, {{.Name}} is hidden on every channel in every export.",
		map[string]any{"Date": on.String(), "Name": name})
	if channel != consent.AllChannels {
		hidden = lang.L("From {{.Date}} on, {{.Name}} is hidden on {{.Channel}} in every export.",
			map[string]any{"Date": on.String(), "Name": name, "Channel": channelName(channel)})
	}
	lines := []string{hidden}
	if len(tasks) == 0 {
		lines = append(lines, "", lang.L("No published photo shows {{.Name}} there, so nothing needs to be taken down.", map[string]any{"Name": name}))
		v.showResult(lang.L("Consent withdrawn"), lines...)
		return
	}
	lines = append(lines, "", lang.L("Published photos that show {{.Name}} and must be taken down: {{.Count}}", map[string]any{"Name": name, "Count": len(tasks)}))
	for _, t := range tasks {
		lines = append(lines, "• "+takedownLine(t))
	}
	lines = append(lines, "", lang.L("Remove them from the channel, then mark each one done under \"Take-downs\"."))
	dialog.NewCustomConfirm(lang.L("Consent withdrawn"), lang.L("Show take-downs"), lang.L("Close"), resultContent(lines), func(show bool) {
		if show {
			v.tabs.Select(v.takedownTab)
		}
	}, v.win).Show()
}

// toggleOptIn records the selected person's face recognition opt-in, or
// removes it (with their face data) after asking.
func (v *registerView) toggleOptIn() {
	p := v.selectedPerson()
	if p == nil {
		return
	}
	if !p.BiometricOptIn {
		v.showChange(v.setOptIn(p.ID, true), lang.L("The opt-in could not be changed."), lang.L("Face data deleted"))
		return
	}
	dialog.ShowConfirm(lang.L("Remove face recognition opt-in"),
		lang.L("PhotoVet will delete the face data stored for {{.Name}} and no longer recognise them. Their faces can still be assigned by hand. Continue?", map[string]any{"Name": p.DisplayName()}),
		func(ok bool) {
			if ok {
				v.showChange(v.setOptIn(p.ID, false), lang.L("The opt-in could not be changed."), lang.L("Face data deleted"))
			}
		}, v.win)
}

// setOptIn records or removes person id's biometric opt-in (R9). An error
// matching consent.ErrNotWiped means the opt-in was removed but the
// deleted face data is still on the disk.
func (v *registerView) setOptIn(id string, optIn bool) error {
	err := v.store.SetBiometricOptIn(v.ctx, id, optIn, v.today())
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		return fmt.Errorf("set face recognition opt-in of %s: %w", id, err)
	}
	v.refresh()
	return err
}

// askRemove removes the selected person from the register after asking.
func (v *registerView) askRemove() {
	p := v.selectedPerson()
	if p == nil {
		return
	}
	dialog.ShowConfirm(lang.L("Remove from register"),
		lang.L("Remove {{.Name}} from the register, with their consents and face data? Photos already published stay in the record, and so do withdrawals of consent: they apply again if the same id comes back in a roster. Do this when someone has left the school.", map[string]any{"Name": p.DisplayName()}),
		func(ok bool) {
			if ok {
				v.showChange(v.remove(p.ID), lang.L("The person could not be removed."), lang.L("Person removed"))
			}
		}, v.win)
}

// remove deletes person id from the register. An error matching
// consent.ErrNotWiped means they were removed but their deleted face data
// is still on the disk.
func (v *registerView) remove(id string) error {
	err := v.store.RemovePerson(v.ctx, id)
	if err != nil && !errors.Is(err, consent.ErrNotWiped) {
		return fmt.Errorf("remove %s: %w", id, err)
	}
	v.refresh()
	return err
}

// showChange shows the outcome of a change to a person: nothing when it
// went well, that the deleted face data is still on the disk under title
// when only that failed, else failed and the error.
func (v *registerView) showChange(err error, failed, title string) {
	switch {
	case err == nil:
	case errors.Is(err, consent.ErrNotWiped):
		v.showResult(title, capitalized(errorText(err)))
	default:
		v.showError(failed, err)
	}
}

// describe is everything the register holds on p, in sentences, for the
// details below the table.
func (v *registerView) describe(p *consent.Person) string {
	var b strings.Builder
	line := func(s string) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s)
	}
	head := lang.L("{{.Name}} (id {{.ID}}), {{.Role}}, group {{.Group}}, {{.Unit}}", map[string]any{
		"Name": p.DisplayName(), "ID": p.ID, "Role": roleLabel(p.Role), "Group": p.Group, "Unit": unitLabel(p.Unit)})
	if !p.BirthDate.IsZero() {
		head += ", " + lang.L("born {{.Date}}", map[string]any{"Date": p.BirthDate.String()})
	}
	line(head)
	givers := []struct {
		giver consent.Giver
		label string
	}{
		{consent.Guardian, lang.L("Photo consent from the guardian")},
		{consent.Pupil, lang.L("Photo consent from the pupil")},
		{consent.StaffMember, lang.L("Own photo consent")},
	}
	for _, g := range givers {
		var cs []consent.Consent
		for _, c := range p.Consents {
			if c.Giver == g.giver {
				cs = append(cs, c)
			}
		}
		if len(cs) > 0 || (g.giver == consent.StaffMember) == (p.Role == consent.Staff) {
			line(g.label + ": " + describeConsents(cs))
		}
	}
	if p.Role != consent.Staff || len(p.WorkConsents) > 0 {
		line(lang.L("Consent to show their work") + ": " + describeConsents(p.WorkConsents))
	}
	for _, w := range p.Withdrawals {
		ch := lang.L("all channels")
		if w.Channel != consent.AllChannels {
			ch = channelName(w.Channel)
		}
		line(lang.L("Withdrawn for {{.Channel}} from {{.Date}}", map[string]any{"Channel": ch, "Date": w.On.String()}))
	}
	switch n := v.enrolled[p.ID]; {
	case n > 0:
		line(lang.L("Face recognition: enrolled (portraits used: {{.Count}})", map[string]any{"Count": n}))
	case p.BiometricOptIn:
		line(lang.L("Face recognition: opt-in recorded, no portrait enrolled yet"))
	default:
		line(lang.L("Face recognition: no opt-in, so PhotoVet stores no face data; their faces can still be assigned by hand"))
	}
	return b.String()
}

// describeConsents lists consents as "website, Instagram (2026-08-17 to
// 2027-07-31)", grouped by validity period.
func describeConsents(cs []consent.Consent) string {
	if len(cs) == 0 {
		return lang.L("none")
	}
	type period struct{ from, until consent.Date }
	var order []period
	byPeriod := map[period][]string{}
	for _, c := range cs {
		k := period{c.ValidFrom, c.ValidUntil}
		if _, ok := byPeriod[k]; !ok {
			order = append(order, k)
		}
		byPeriod[k] = append(byPeriod[k], channelName(c.Channel))
	}
	var parts []string
	for _, k := range order {
		s := strings.Join(byPeriod[k], ", ")
		switch {
		case !k.from.IsZero() && !k.until.IsZero():
			s += " (" + lang.L("{{.From}} to {{.Until}}", map[string]any{"From": k.from.String(), "Until": k.until.String()}) + ")"
		case !k.from.IsZero():
			s += " (" + lang.L("from {{.Date}}", map[string]any{"Date": k.from.String()}) + ")"
		case !k.until.IsZero():
			s += " (" + lang.L("until {{.Date}}", map[string]any{"Date": k.until.String()}) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
