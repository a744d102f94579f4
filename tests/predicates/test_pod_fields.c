/* test_pod_fields.c: unknown-field detection in a user's pod (pod_fields.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pod_fields.h"

/* JSON with ' for ", to keep the pods readable. */
static cJSON *parse(const char *text)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *c = buf; *c; c++)
		if (*c == '\'')
			*c = '"';
	cJSON *doc = cJSON_Parse(buf);
	if (!doc)
		fail_msg("test JSON does not parse: %s", buf);
	return doc;
}

/* The unknown field's path, or "" when every field is known. */
static const char *unknown(const char *text, const char *prefix)
{
	static char where[256];
	cJSON *doc = parse(text);
	bool found = hr_pod_unknown_field(doc, prefix, where, sizeof(where));
	cJSON_Delete(doc);
	if (!found)
		where[0] = '\0';
	return where;
}

/* Every type the check descends into, spelled right. */
static const char full_pod[] =
    "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'n','labels':{'a':'b'},"
    "'annotations':{'x':'y'},'ownerReferences':[{'kind':'ReplicaSet','anything':1}]},"
    "'spec':{'containers':[{'name':'c','image':'i','ports':[{'containerPort':80,'hostPort':80,"
    "'protocol':'TCP','hostIP':'0.0.0.0','name':'http'}],'resources':{'requests':{'cpu':'1'},"
    "'limits':{'cpu':'2'},'claims':[{'name':'gpu'}]},'securityContext':{'whatever':true},"
    "'livenessProbe':{'httpGet':{'path':'/'}}}],"
    "'initContainers':[{'name':'i','restartPolicy':'Always'}],"
    "'volumes':[{'name':'v','emptyDir':{}}],'nodeSelector':{'k':'v'},"
    "'affinity':{'nodeAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':"
    "{'nodeSelectorTerms':[{'matchExpressions':[{'key':'k','operator':'In','values':['v']}],"
    "'matchFields':[{'key':'metadata.name','operator':'In','values':['n']}]}]},"
    "'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':1,'preference':"
    "{'matchExpressions':[]}}]},"
    "'podAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':[{'labelSelector':"
    "{'matchLabels':{'a':'b'},'matchExpressions':[{'key':'a','operator':'Exists'}]},"
    "'namespaceSelector':{},'namespaces':['n'],'topologyKey':'zone','matchLabelKeys':['x'],"
    "'mismatchLabelKeys':['y']}]},"
    "'podAntiAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':5,"
    "'podAffinityTerm':{'topologyKey':'host'}}]}},"
    "'tolerations':[{'key':'k','operator':'Equal','value':'v','effect':'NoExecute',"
    "'tolerationSeconds':5}],"
    "'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':'zone','whenUnsatisfiable':"
    "'DoNotSchedule','labelSelector':{},'minDomains':2,'nodeAffinityPolicy':'Honor',"
    "'nodeTaintsPolicy':'Ignore','matchLabelKeys':['pod-template-hash']}],"
    "'resources':{'requests':{'cpu':'1'}},'overhead':{'cpu':'10m'},'schedulingGates':[],"
    "'runtimeClassName':'rc','priorityClassName':'high','hostNetwork':false,"
    "'schedulingGroup':{'podGroupName':'later-release'}},"
    "'status':{'phase':'Pending','anything':1}}";

static void test_a_pod_spelled_right_has_no_unknown_field(void **state)
{
	(void)state;
	assert_string_equal(unknown(full_pod, NULL), "");
	assert_string_equal(unknown("{'metadata':{},'spec':{'containers':[]}}", "spec.template"),
	                    "");
}

static void test_misspellings_are_named_by_their_path(void **state)
{
	(void)state;
	assert_string_equal(
	    unknown("{'spec':{'containers':[{'name':'c','resources':{'request':{'cpu':'1'}}}]}}",
	            NULL),
	    "spec.containers[0].resources.request");
	assert_string_equal(
	    unknown("{'spec':{'initContainers':[{},{'ports':[{'hostport':80}]}]}}", NULL),
	    "spec.initContainers[1].ports[0].hostport");
	assert_string_equal(
	    unknown("{'spec':{'affinity':{'podAntiAffinity':{'preferredDuringScheduling"
	            "IgnoredDuringExecution':[{'weight':1,'podAffinityTerm':{'labelSelector':"
	            "{'matchExpression':[]}}}]}}}}",
	            NULL),
	    "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
	    "podAffinityTerm.labelSelector.matchExpression");
	assert_string_equal(unknown("{'spec':{'tolerations':[{'tolerationSecond':3}]}}", NULL),
	                    "spec.tolerations[0].tolerationSecond");
	assert_string_equal(unknown("{'spec':{'nodeselector':{'a':'b'}}}", NULL),
	                    "spec.nodeselector");
	assert_string_equal(unknown("{'metadata':{'label':{}}}", NULL), "metadata.label");
	assert_string_equal(unknown("{'specs':{}}", NULL), "specs");
	/* Field names are case-sensitive, as the API server decodes them. */
	assert_string_equal(
	    unknown("{'spec':{'topologySpreadConstraints':[{'NodeTaintsPolicy':'Honor'}]}}", NULL),
	    "spec.topologySpreadConstraints[0].NodeTaintsPolicy");
	assert_string_equal(
	    unknown("{'spec':{'affinity':{'nodeAffinity':{'required"
	            "DuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':"
	            "[{'matchFields':[{'key':'metadata.name','operater':'In'}]}]}}}}}",
	            NULL),
	    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
	    "nodeSelectorTerms[0].matchFields[0].operater");
}

static void test_the_prefix_places_the_pod_in_its_workload(void **state)
{
	(void)state;
	assert_string_equal(unknown("{'metadata':{},'spec':{'containerz':[]}}", "spec.template"),
	                    "spec.template.spec.containerz");
}

static void test_values_it_does_not_model_and_wrong_types_pass(void **state)
{
	(void)state;
	/* Inside securityContext, volumes, probes, labels: not descended into. */
	assert_string_equal(unknown("{'spec':{'securityContext':{'x':1},'volumes':[{'y':2}],"
	                            "'containers':[{'lifecycle':{'z':3}}]}}",
	                            NULL),
	                    "");
	/* A list that is not a list, a non-object element: the decoder's to name. */
	assert_string_equal(unknown("{'spec':{'containers':{'a':1},'tolerations':[1,'x']}}", NULL),
	                    "");
	cJSON *arr = parse("[1]");
	char where[16];
	assert_false(hr_pod_unknown_field(arr, NULL, where, sizeof(where)));
	cJSON_Delete(arr);
}

static void test_a_long_path_is_cut_to_the_buffer(void **state)
{
	(void)state;
	cJSON *doc = parse("{'spec':{'containers':[{'resources':{'request':{}}}]}}");
	char where[12];
	assert_true(hr_pod_unknown_field(doc, NULL, where, sizeof(where)));
	assert_int_equal(strlen(where), sizeof(where) - 1);
	assert_memory_equal(where, "spec.contai", sizeof(where));
	assert_false(hr_pod_unknown_field(doc, NULL, NULL, 0));
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_pod_spelled_right_has_no_unknown_field),
	    cmocka_unit_test(test_misspellings_are_named_by_their_path),
	    cmocka_unit_test(test_the_prefix_places_the_pod_in_its_workload),
	    cmocka_unit_test(test_values_it_does_not_model_and_wrong_types_pass),
	    cmocka_unit_test(test_a_long_path_is_cut_to_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
