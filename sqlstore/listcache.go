package sqlstore

import (
	"sync"

	"github.com/dayu-emu/dayu"
)

// listCache keeps, for the projects listed lately, their newest instances
// as stored, newest first, so that a page of the list is read from memory
// instead of decoding rows. It holds stored facts only: what the list shows
// of them at a time (gone or not, status, expire_days) is derived at read
// time, as from rows.
//
// An entry is only used while it is the project's state in the database,
// which the page's own count query tells (its version, migration 0050):
// every transaction that changes a project's instances, on any node, adds
// to the project's version, which never comes back to a value it had. An
// entry is tagged with the version read before its rows: a change
// committed between the two reads is in the rows but makes every later
// version read differ, so such an entry is never used. A page served from
// an entry thus reflects every write committed before its version read, as
// reading rows would.
//
// An entry costs reading listCacheSize rows, ten pages. It is read when a
// project is listed a second time at one version, by that one reader
// while the others read their pages from the database: a project whose
// instances change between every two pages is listed page by page, as
// without a cache.
type listCache struct {
	mu       sync.Mutex
	projects map[string]*listEntry
}

// listEntry is a project's newest instances at version, newest first:
// every one of them up to listCacheSize, gone or not; all of the
// project's when complete. An entry not loaded holds none yet: the
// project was listed once at version, and a reader may be loading it.
type listEntry struct {
	version  int64
	loaded   bool
	loading  bool
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
	return &listCache{projects: map[string]*listEntry{}}
}

// get returns the project's entry of that version, or nil and whether the
// caller is to read one (and put it): yes when the project was listed at
// that version before and no other caller is reading it.
func (c *listCache) get(project string, version int64) (e *listEntry, load bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e = c.projects[project]
	switch {
	case e != nil && e.version == version && e.loaded:
		return e, false
	case e != nil && e.version == version && e.loading:
		return nil, false
	case e != nil && e.version == version:
		c.keep(project, &listEntry{version: version, loading: true})
		return nil, true
	}
	c.keep(project, &listEntry{version: version})
	return nil, false
}

// put keeps e, read as get told, as the project's entry; nil gives up the
// reading (it failed). Entries are never changed in place: a reader may
// hold the old one.
func (c *listCache) put(project string, e *listEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e == nil {
		delete(c.projects, project)
		return
	}
	c.keep(project, e)
}

// keep makes e the project's entry, in c.mu.
func (c *listCache) keep(project string, e *listEntry) {
	if _, ok := c.projects[project]; !ok && len(c.projects) >= listCacheProjects {
		for p := range c.projects { // any one: the map's order is random
			delete(c.projects, p)
			break
		}
	}
	c.projects[project] = e
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
