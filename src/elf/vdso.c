#include "elf/vdso.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

static void read_build_id(Elf *elf, struct pi_vdso *v)
{
	size_t nphdr;
	if (elf_getphdrnum(elf, &nphdr) != 0)
		return;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if (!data)
			continue;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4
			    || memcmp((char *)data->d_buf + name_off, "GNU", 4) != 0)
				continue;
			const unsigned char *id = (const unsigned char *)data->d_buf + desc_off;
			size_t n = nh.n_descsz < 64 ? nh.n_descsz : 64;
			for (size_t k = 0; k < n; k++)
				snprintf(v->build_id + 2 * k, 3, "%02x", id[k]);
			return;
		}
	}
}

/* The exported functions live in .dynsym: the vDSO is linked as a shared
 * object and has no other symbol table once stripped. */
static void read_symbols(Elf *elf, struct pi_vdso *v)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		size_t count = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < count; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym))
				break;
			if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			/* Keep a name once, whatever versions it is exported
			 * with. */
			bool dup = false;
			for (size_t k = 0; k < v->symbols.n && !dup; k++)
				dup = strcmp(v->symbols.v[k], name) == 0;
			if (!dup)
				pi_strv_push(&v->symbols, name, strlen(name));
		}
	}
}

static void read_soname(Elf *elf, struct pi_vdso *v)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_SONAME) {
				const char *s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
				if (s)
					snprintf(v->soname, sizeof v->soname, "%s", s);
			}
		}
	}
}

int pi_vdso_decode(void *image, size_t size, struct pi_vdso *v)
{
	elf_version(EV_CURRENT);
	Elf *elf = elf_memory(image, size);
	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -EINVAL;
	}
	read_build_id(elf, v);
	read_symbols(elf, v);
	read_soname(elf, v);
	elf_end(elf);
	return 0;
}
