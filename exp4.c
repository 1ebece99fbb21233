#define _GNU_SOURCE
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc,char**argv){
 enum pids_item items[]={PIDS_ID_PID,PIDS_ID_TGID,PIDS_TICS_ALL,PIDS_STATE, PIDS_CMD};
 struct pids_info *info=NULL;
 procps_pids_new(&info,items,5);
 unsigned pid=atoi(argv[1]);
 struct pids_fetch*f=procps_pids_select(info,&pid,1,PIDS_SELECT_PID_THREADS);
 for(int i=0;f->stacks[i];i++) printf("%d %d %llu %c %s\n",PIDS_VAL(0,s_int,f->stacks[i],info),PIDS_VAL(1,s_int,f->stacks[i],info),PIDS_VAL(2,ull_int,f->stacks[i],info),PIDS_VAL(3,s_ch,f->stacks[i],info),PIDS_VAL(4,str,f->stacks[i],info));
 f=procps_pids_select(info,&pid,1,PIDS_SELECT_PID);
 for(int i=0;f->stacks[i];i++) printf("P %d %d %llu %c\n",PIDS_VAL(0,s_int,f->stacks[i],info),PIDS_VAL(1,s_int,f->stacks[i],info),PIDS_VAL(2,ull_int,f->stacks[i],info),PIDS_VAL(3,s_ch,f->stacks[i],info));
 procps_pids_unref(&info);
}
