package event

import "time"

// minute remembers the last date, hour and minute read
// ("2026-12-03T09:33") and its Unix time, so that the times of one minute
// of events cost a comparison and their seconds instead of a date
// conversion each.
type minute struct {
	prefix [16]byte
	unix   int64
	ok     bool
}

// time reads an RFC 3339 UTC time with up to nine fraction digits, the
// form time.Time's MarshalJSON writes for UTC times. time.Time reads its
// JSON string as it is, so an escape in it is refused, not unescaped.
func (r *reader) time(dst *time.Time) bool {
	r.ws()
	start := r.i
	b, ok := r.raw()
	if !ok || len(b) != r.i-start-2 || len(b) < 20 || b[16] != ':' || b[len(b)-1] != 'Z' {
		return false
	}
	var base int64
	if m := r.minute(); m != nil && m.ok && [16]byte(b[:16]) == m.prefix {
		base = m.unix
	} else if base, ok = minuteOf(b); !ok {
		return false
	} else if m != nil {
		*m = minute{prefix: [16]byte(b[:16]), unix: base, ok: true}
	}
	sec := num(b[17:19])
	if sec < 0 || sec > 59 {
		return false
	}
	nsec := 0
	switch frac := b[19 : len(b)-1]; {
	case len(frac) == 0:
	case frac[0] != '.' || len(frac) < 2 || len(frac) > 10:
		return false
	default:
		if nsec = num(frac[1:]); nsec < 0 {
			return false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	*dst = time.Unix(base+int64(sec), int64(nsec)).UTC()
	return true
}

func (r *reader) minute() *minute {
	if r.d == nil {
		return nil
	}
	return &r.d.minute
}

// minuteOf checks the date, hour and minute of b and returns their Unix
// time.
func minuteOf(b []byte) (int64, bool) {
	if b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' {
		return 0, false
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, mins := num(b[11:13]), num(b[14:16])
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour < 0 || hour > 23 || mins < 0 || mins > 59 {
		return 0, false
	}
	return time.Date(year, time.Month(month), day, hour, mins, 0, 0, time.UTC).Unix(), true
}

// num reads decimal digits; -1 when s holds anything else.
func num(s []byte) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
