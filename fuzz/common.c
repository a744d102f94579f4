/* common.c: the fixed cluster, its snapshot and the chunker (common.h). */
#include "common.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "snapshot.h"

/* Written with single quotes; fz_cluster_json turns them into double quotes. */
static const char cluster_sq[] =
    "{'apiVersion':'v1','kind':'List','metadata':{'resourceVersion':'4242'},'items':["
    "{'kind':'Namespace','metadata':{'name':'default','labels':{"
    "'kubernetes.io/metadata.name':'default'}}},"
    "{'kind':'Namespace','metadata':{'name':'team-a','labels':{"
    "'kubernetes.io/metadata.name':'team-a','team':'a'},"
    "'annotations':{'headroom.io/enforce':'deny'}}},"
    "{'kind':'Node','metadata':{'name':'node-a','labels':{'kubernetes.io/hostname':'node-a',"
    "'topology.kubernetes.io/zone':'zone-a','disk':'ssd','runtime':'kata','cores':'4'}},"
    "'spec':{},'status':{'allocatable':{'cpu':'4','memory':'8Gi','pods':'20',"
    "'ephemeral-storage':'50Gi'},'conditions':[{'type':'Ready','status':'True'}]}},"
    "{'kind':'Node','metadata':{'name':'node-b','labels':{'kubernetes.io/hostname':'node-b',"
    "'topology.kubernetes.io/zone':'zone-b','gpu':'true','cores':'8'}},"
    "'spec':{'taints':[{'key':'dedicated','value':'gpu','effect':'NoSchedule'}]},"
    "'status':{'capacity':{'cpu':'8','memory':'32Gi','pods':'30','example.com/gpu':'2',"
    "'hugepages-2Mi':'1Gi'},'conditions':[{'type':'Ready','status':'True'}]}},"
    "{'kind':'Node','metadata':{'name':'node-c','labels':{'kubernetes.io/hostname':'node-c',"
    "'topology.kubernetes.io/zone':'zone-b','cores':'2'}},"
    "'spec':{'taints':[{'key':'spot','effect':'PreferNoSchedule'}]},"
    "'status':{'allocatable':{'cpu':'2','memory':'4Gi','pods':'4'},"
    "'conditions':[{'type':'Ready','status':'True'}]}},"
    "{'kind':'Pod','metadata':{'name':'db-0','namespace':'default','labels':{'app':'db'}},"
    "'spec':{'nodeName':'node-a','containers':[{'name':'db','ports':[{'containerPort':5432,"
    "'hostPort':5432}],'resources':{'requests':{'cpu':'1','memory':'1Gi'}}}],"
    "'affinity':{'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':[{"
    "'labelSelector':{'matchLabels':{'app':'db'}},'topologyKey':'kubernetes.io/hostname'}]}}},"
    "'status':{'phase':'Running'}},"
    "{'kind':'Pod','metadata':{'name':'web-1','namespace':'default','labels':{'app':'web',"
    "'tier':'front'}},'spec':{'nodeName':'node-b','containers':[{'name':'web','resources':{"
    "'requests':{'cpu':'500m','memory':'512Mi','example.com/gpu':'1'},"
    "'limits':{'example.com/gpu':'1'}}}],"
    "'tolerations':[{'key':'dedicated','operator':'Equal','value':'gpu',"
    "'effect':'NoSchedule'}]},'status':{'phase':'Running'}},"
    "{'kind':'Pod','metadata':{'name':'job-x','namespace':'team-a','labels':{'app':'job'}},"
    "'spec':{'nodeName':'node-c','initContainers':[{'name':'i','resources':{'requests':{"
    "'cpu':'1500m'}}}],'containers':[{'name':'j','resources':{'requests':{'cpu':'200m'}}}],"
    "'overhead':{'cpu':'50m'}},'status':{'phase':'Running'}},"
    "{'kind':'Pod','metadata':{'name':'done','namespace':'default'},'spec':{'nodeName':"
    "'node-a','containers':[{'name':'c'}]},'status':{'phase':'Succeeded'}},"
    "{'kind':'Pod','metadata':{'name':'pending','namespace':'default'},'spec':{"
    "'containers':[{'name':'c'}]},'status':{'phase':'Pending'}},"
    "{'kind':'LimitRange','metadata':{'name':'lr','namespace':'team-a'},'spec':{'limits':["
    "{'type':'Container','default':{'cpu':'500m','memory':'256Mi'},"
    "'defaultRequest':{'cpu':'100m'},'max':{'cpu':'2','memory':'4Gi'},"
    "'maxLimitRequestRatio':{'cpu':'10'}},"
    "{'type':'Pod','max':{'cpu':'3'}}]}},"
    "{'kind':'RuntimeClass','apiVersion':'node.k8s.io/v1','metadata':{'name':'kata'},"
    "'handler':'kata','overhead':{'podFixed':{'cpu':'250m','memory':'120Mi'}},"
    "'scheduling':{'nodeSelector':{'runtime':'kata'},'tolerations':[{'key':'kata',"
    "'operator':'Exists','effect':'NoSchedule'}]}},"
    "{'kind':'RuntimeClass','apiVersion':'node.k8s.io/v1','metadata':{'name':'runc'},"
    "'handler':'runc'}"
    "]}";

const char *fz_cluster_json(void)
{
	static char text[sizeof(cluster_sq)];
	if (!text[0]) {
		memcpy(text, cluster_sq, sizeof(cluster_sq));
		for (char *p = text; *p; p++)
			if (*p == '\'')
				*p = '"';
	}
	return text;
}

const struct xt_snap *fz_snapshot(void)
{
	static struct xt_snap *snap;
	if (snap)
		return snap;
	const char *text = fz_cluster_json();
	cJSON *doc = cJSON_ParseWithLength(text, strlen(text));
	struct xt_snap *s = xt_snap_new("fuzz:cluster");
	struct hr_err err;
	hr_err_clear(&err);
	if (!doc || !s || hr_snapshot_from_json(doc, &s->arena, &s->snap, &err) != HR_OK) {
		fprintf(stderr, "fuzz: the fixed cluster does not load: %s: %s\n", err.where,
		        err.msg);
		abort();
	}
	cJSON_Delete(doc);
	snap = s;
	return snap;
}

void fz_rng_seed(struct fz_rng *r, const uint8_t *data, size_t size, uint64_t salt)
{
	uint64_t h = 1469598103934665603ull ^ salt;
	for (size_t i = 0; i < size; i++) {
		h ^= data[i];
		h *= 1099511628211ull;
	}
	r->s = h ? h : 0x9e3779b97f4a7c15ull;
}

uint64_t fz_rng_next(struct fz_rng *r)
{
	uint64_t x = r->s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->s = x;
	return x;
}

size_t fz_rng_chunk(struct fz_rng *r, size_t max)
{
	uint64_t v = fz_rng_next(r);
	size_t limit = (v & 1) ? 16 : max;
	if (limit > max)
		limit = max;
	if (limit == 0)
		return 1;
	return 1 + (size_t)((v >> 1) % limit);
}
