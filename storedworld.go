package dayu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// storedWorld is the stored world document: the world, and whether Dayu
// made it as the dev world. The mark is no key of a world file, so a file
// cannot claim to be the dev world.
type storedWorld struct {
	*World
	Dev bool `json:"dayu_dev_world,omitempty"`
	// Digest is kept with the world: a large world is read at every start,
	// and computing its digest costs another pass over it.
	Digest string `json:"dayu_digest,omitempty"`
}

// compactMark starts the stored world's compact form: a line of JSON, the
// storedWorld without its enterprise projects (compactWorld), then the
// enterprise projects, each id and name as its length in bytes, a colon
// and its bytes, domain after domain. A world may hold 100,000s of
// enterprise projects, and a start reads them all: decoding them as JSON
// objects was most of a start's time. A document without the mark is the
// JSON form that Dayu stored before, read as such.
const compactMark = "dayu-world 2\n"

// compactWorld is the compact form's JSON line.
type compactWorld struct {
	storedWorld
	// EnterpriseProjects is how many enterprise projects of each domain,
	// in order, follow the line.
	EnterpriseProjects []int `json:"dayu_enterprise_projects"`
}

// saveWorld stores w as the world served from now on.
func saveWorld(ctx context.Context, s Store, w *World) error {
	doc, err := encodeStoredWorld(w)
	if err != nil {
		return err
	}
	return s.SaveDocument(ctx, worldDocument, doc)
}

// encodeStoredWorld is w's stored document: the compact form, or the JSON
// form when an enterprise project's id or name holds a NUL byte, which a
// PostgreSQL text column refuses and only JSON escapes.
func encodeStoredWorld(w *World) ([]byte, error) {
	head := *w
	head.Domains = make([]*Domain, len(w.Domains))
	counts := make([]int, len(w.Domains))
	body := []byte(compactMark)
	var eps []byte
	for i, d := range w.Domains {
		dc := *d
		dc.EnterpriseProjects = nil
		head.Domains[i], counts[i] = &dc, len(d.EnterpriseProjects)
		for _, e := range d.EnterpriseProjects {
			if strings.IndexByte(e.ID, 0) >= 0 || strings.IndexByte(e.Name, 0) >= 0 {
				return json.Marshal(storedWorldOf(w))
			}
			eps = appendField(appendField(eps, e.ID), e.Name)
		}
	}
	// json.Marshal escapes every newline, so the line ends where the JSON does.
	sw := storedWorldOf(w)
	sw.World = &head
	line, err := json.Marshal(compactWorld{sw, counts})
	if err != nil {
		return nil, err
	}
	body = append(append(body, line...), '\n')
	return append(body, eps...), nil
}

// storedWorldOf is w with what Dayu keeps beside it.
func storedWorldOf(w *World) storedWorld {
	return storedWorld{World: w, Dev: w.dev, Digest: w.digest}
}

// appendField appends s to b as the compact form's field.
func appendField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	return append(append(b, ':'), s...)
}

// parseStoredWorld reads the world Dayu stored, in either form. The
// document is its own, so it is read as it is, not as strictly as a world
// file (a start reads it, and strict decoding costs a pass of its own over
// a large world).
func parseStoredWorld(doc []byte) (*World, error) {
	sw := storedWorld{World: &World{}}
	if rest, ok := bytes.CutPrefix(doc, []byte(compactMark)); ok {
		if err := parseCompactWorld(rest, &sw); err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(doc, &sw); err != nil {
		return nil, err
	}
	if err := sw.World.prepare(); err != nil {
		return nil, err
	}
	sw.World.dev = sw.Dev
	if sw.Digest != "" {
		sw.World.digest = sw.Digest
		return sw.World, nil
	}
	return sw.World, sw.World.setDigest() // stored before the digest was
}

// parseCompactWorld reads the compact form after its mark into sw.
func parseCompactWorld(doc []byte, sw *storedWorld) error {
	line, rest, _ := bytes.Cut(doc, []byte{'\n'})
	cw := compactWorld{storedWorld: *sw}
	if err := json.Unmarshal(line, &cw); err != nil {
		return err
	}
	*sw = cw.storedWorld
	if len(cw.EnterpriseProjects) != len(sw.Domains) {
		return fmt.Errorf("the compact form counts the enterprise projects of %d domains, the world has %d", len(cw.EnterpriseProjects), len(sw.Domains))
	}
	// One string for all: every id and name is a slice of it, not an
	// allocation of its own.
	fields := string(rest)
	for i, d := range sw.Domains {
		n := cw.EnterpriseProjects[i]
		if n == 0 {
			continue
		}
		if n < 0 || n > len(fields)/4 { // "0:0:" is the shortest
			return errors.New("the compact form counts more enterprise projects than it holds")
		}
		d.EnterpriseProjects = make([]EnterpriseProject, n)
		for j := range d.EnterpriseProjects {
			e := &d.EnterpriseProjects[j]
			var err error
			if e.ID, fields, err = cutField(fields); err != nil {
				return err
			}
			if e.Name, fields, err = cutField(fields); err != nil {
				return err
			}
		}
	}
	if fields != "" {
		return errors.New("the compact form has more enterprise projects than it counts")
	}
	return nil
}

// cutField reads the compact form's field at the start of s.
func cutField(s string) (field, rest string, err error) {
	n, rest, ok := strings.Cut(s, ":")
	size, err := strconv.Atoi(n)
	if !ok || err != nil || size < 0 || size > len(rest) {
		return "", "", errors.New("the compact form ends inside its enterprise projects")
	}
	return rest[:size], rest[size:], nil
}
