package sqlstore

import (
	"slices"
	"sync"
	"time"

	"github.com/dayu-emu/dayu"
)

// listCache keeps, for the projects listed lately, their newest instances
// as stored, newest first, so that a page of the list is read from memory
// instead of decoding rows. It holds stored facts only: what the list shows
// of them at a time (gone or not, status, expire_days) is derived at read
// time, as from rows. It is only sound when this process is the database's
// one writer (Dialect.SoleWriter, SQLite behind its lock):
//   - a group commit puts the instances it stored in front of their
//     project's entry once committed, before any purchase is answered;
//   - every other write (inTx: unsubscriptions, Reset, and any write added
//     later) empties the cache once committed, before it returns;
//   - an entry read from the database is kept only if nothing was written
//     to its project while it was read (its load is still the project's).
type listCache struct {
	mu       sync.Mutex
	projects map[string]*listEntry
	loads    map[string]uint64 // the project's entry being read, by number
	next     uint64            // the last load's number
}

// listEntry is a project's newest instances, newest first: every one of
// them up to listCacheSize, gone or not; all of the project's when
// complete.
type listEntry struct {
	newest   []*dayu.Instance
	complete bool
}

// listCacheSize is how many of a project's newest instances an entry
// holds: the first ten pages of 100. A page beyond them is read from the
// database.
const listCacheSize = 1000

// listCacheProjects bounds how many projects the cache holds (about 0.5 MB
// each when full).
const listCacheProjects = 64

func newListCache() *listCache {
	return &listCache{projects: map[string]*listEntry{}, loads: map[string]uint64{}}
}

// get returns the project's entry, or nil and the number of the load that
// is to read one from the database.
func (c *listCache) get(project string) (*listEntry, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.projects[project]; e != nil {
		return e, 0
	}
	c.next++
	c.loads[project] = c.next
	return nil, c.next
}

// put keeps the entry that load read, unless a write to its project
// committed meanwhile (or a later load started).
func (c *listCache) put(project string, e *listEntry, load uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loads[project] != load {
		return
	}
	delete(c.loads, project)
	if len(c.projects) >= listCacheProjects {
		for p := range c.projects { // any one: the map's order is random
			delete(c.projects, p)
			break
		}
	}
	c.projects[project] = e
}

// stored puts a committed batch's stored instances, in their order of
// insertion, in front of their projects' entries. Entries are never
// changed in place: a reader may hold the old one.
func (c *listCache) stored(batch []*purchaseWrite) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range batch {
		e := c.projects[w.instance.ProjectID]
		if !w.stored {
			continue
		}
		if e == nil {
			delete(c.loads, w.instance.ProjectID) // that load may have missed it
			continue
		}
		i := *w.instance
		asStored(&i)
		newest := append([]*dayu.Instance{&i}, e.newest[:min(len(e.newest), listCacheSize-1)]...)
		c.projects[i.ProjectID] = &listEntry{newest: newest, complete: e.complete && len(e.newest) < listCacheSize}
	}
}

// written empties the cache after a write that it does not follow.
func (c *listCache) written() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.projects)
	clear(c.loads)
}

// page is the page p of the entry's instances listed at now (not gone by
// then), newest first; ok is false when the entry does not hold the whole
// page.
func (e *listEntry) page(p dayu.Page, now int64) (list []*dayu.Instance, ok bool) {
	skip := p.Offset
	for _, i := range e.newest {
		if !i.GoneAt.IsZero() && i.GoneAt.UnixMilli() <= now {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		list = append(list, i)
		if len(list) == p.Limit {
			return list, true
		}
	}
	return list, e.complete
}

// asStored makes a purchase's instance what reading its row gives: times
// to the millisecond in UTC, the zero time zero, durations to the
// millisecond, tags not shared with the caller.
func asStored(i *dayu.Instance) {
	for _, t := range []*time.Time{&i.CreatedAt, &i.EffectiveAt, &i.ExpiresAt, &i.AutoRenewUntil, &i.UnsubscribedAt, &i.GoneAt} {
		*t = fromMS(ms(*t))
	}
	i.Grace, i.Retention = msDuration(i.Grace.Milliseconds()), msDuration(i.Retention.Milliseconds())
	i.Tags = slices.Clone(i.Tags)
}
